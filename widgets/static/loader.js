/* Storelift loader */
((w,d,N)=>{let Q=w.storelift;if(Q?.v)return;
let A=d.currentScript.dataset,P=A.p,
n=Date.now(),E=[],H={},C,K,G=N.globalPrivacyControl,B=()=>{},
g=(k,v)=>{try{return v?localStorage["sl_"+k]=v:localStorage["sl_"+k]}catch(e){}},
u=()=>crypto.randomUUID(),V=g("v")||u(),x=(g("s")||"").split(" "),
f=()=>({v:V,c:g("c"),g:G,w:N.webdriver}),
J=(p,b)=>fetch(P+p,{method:"POST",keepalive:!0,body:JSON.stringify(b)}).catch(B),
ok=()=>C&&(g("c")||!C.cm&&!G),
k=()=>ok()&&(g("v",V),g("s",x.join(" "))),
F=()=>E.length&&ok()&&J("/events",{...f(),s:x[0],p:location.pathname,k:A.k,e:E.splice(0,50)}),
t=(e,o)=>{E.push([e,o||{}]);clearTimeout(K);K=setTimeout(F,2e3);e=="add_to_cart"&&(x[3]=1,k(),F())},
M=Promise.resolve(),O=(e,h)=>d.addEventListener(e,h,!0),
S={v:1,track:t,
consent:()=>{g("c",1);k();F()},
identify:e=>{M=M.then(()=>J("/identify",{...f(),e}))},
on:(e,h)=>(H[e]||=[]).push(h),
push:([a,...b])=>S[a]&&S[a](...b),
_:{V,P,t,e:(e,o)=>H[e]?.map(h=>setTimeout(h,0,o))}},y=A.t;
if(!x[2]||n-x[2]>18e5)x=[u(),0];
x[1]++;x[2]=n;S._.x=x;w.storelift=S;(Q||[]).map(S.push);t("page_view");
y&&t(y,{i:A.i||new URLSearchParams(location.search).get("q")});
O("submit",e=>/\/cart\/add/.test(e.target.action)&&t("add_to_cart"));O("visibilitychange",()=>d.hidden&&F());
M.then(()=>fetch(P+"/config?v="+V+"&d="+(w.innerWidth<768?"m":"d"))).then(r=>r.json()).then(c=>{
S._.c=C=c;k();F();if(c.show&&A.w){let e=d.createElement("script");e.src=A.w;d.head.append(e)}}).catch(B)
})(window,document,navigator)
